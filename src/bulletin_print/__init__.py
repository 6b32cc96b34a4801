"""bulletin-print: typesets a Chinese government information bulletin (简报) into a print-ready PDF.

The way through: load → check → compose → render → typeset → finish.
"""
