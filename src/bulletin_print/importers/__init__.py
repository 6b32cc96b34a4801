"""Bringing issues in: the plain text of a printed issue, a contributed Word file.

`text.py` and `docx.py` read; `writer.py` writes the issue file in the hand-formatted style of
issues/2024/12.yaml, with a `# review:` comment wherever a reader was not sure.
"""
