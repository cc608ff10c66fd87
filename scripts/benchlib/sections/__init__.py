"""The measurements of a full run, one module a section; each returns its figures
(`benchlib.figures`) and writes nothing: `benchlib.render` turns them into markdown."""
