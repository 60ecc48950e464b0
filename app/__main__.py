"""`python -m app [options of streamlit run]`: the app's server (app/launch.py says why not `streamlit run`)."""

import sys

from app.launch import main

sys.exit(main(sys.argv[1:]))
