"""The names of the files a plan folder holds, shared by the writer (files) and the push (client) without
either importing the other."""

META_API_FILE = "meta-api.json"
IDS_FILE = "meta-ids.json"  # written by the push: the ref → id of every object Meta created
