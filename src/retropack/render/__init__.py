"""Render: the view model drawn as a PDF (Jinja2, WeasyPrint, matplotlib) and an editable deck (python-pptx)."""
