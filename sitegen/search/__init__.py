"""The search index of the mottagningar: its schema, how a build writes it, how the app reads it.

Written by `sitegen build` from the same validated content and the same rendered views as the
contact pages, so the search and the pages never disagree; read by the forms app's `/sok/` view.
The index is SQLite FTS5 (embedded, no server to run) behind two small interfaces, `IndexWriter`
and `Searcher`, so a region that outgrows one machine can put a search server behind them instead.
"""
