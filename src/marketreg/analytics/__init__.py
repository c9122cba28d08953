"""Special databases (专题库): marts rebuilt by jobs from the thematic tables, and the
dashboard queries and chart options built on them. Reads tables, never domain internals."""
