"""The build engine: full or incremental, across worker processes, with its cache, writing the
site atomically.

May use sitegen.site and sitegen.content. `sitegen.build.run.build_site` is its one entry point.
"""
