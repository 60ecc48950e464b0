"""Build of the one compiled module, `outreach.sources._marc_walk` (see its doc); everything else is in
pyproject.toml. The module is optional: without a C compiler the install goes on and the Python walk is used."""

import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

walk = Extension("outreach.sources._marc_walk", ["outreach/sources/_marc_walk.pyx"], include_dirs=lxml.get_include())
modules = cythonize([walk], quiet=True)
for module in modules:  # set after cythonize, which does not carry it over
    module.optional = True
setup(ext_modules=modules)
