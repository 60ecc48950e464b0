"""Build of the compiled modules, `outreach.sources._marc_walk` and `outreach.sources._oai_page` (see their
docs); everything else is in pyproject.toml. Both are optional: without a C compiler (or, for the second,
expat's header) the install goes on and the Python readers do the same work, slower."""

import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

walk = Extension("outreach.sources._marc_walk", ["outreach/sources/_marc_walk.pyx"], include_dirs=lxml.get_include())
page = Extension("outreach.sources._oai_page", ["outreach/sources/_oai_page.pyx"])
modules = cythonize([walk, page], quiet=True)
for module in modules:  # set after cythonize, which does not carry it over
    module.optional = True
setup(ext_modules=modules)
