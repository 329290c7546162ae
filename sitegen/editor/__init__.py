"""The editors' tools on top of the build: check (guideline, text quality, links), the
scaffold of new files and the live preview.

May use sitegen.build, sitegen.site and sitegen.content; nothing below imports it.
"""
