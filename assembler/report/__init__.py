"""Reports of the consistency pass: plain text, JSON (versioned schema) and Word comments."""
