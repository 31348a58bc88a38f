"""The local web page (`assembler serve`): needs the optional ``web`` dependencies."""
