"""The end-to-end tests' run watcher (tests/support/app_page.py) reads Streamlit's messages by their protobuf
field numbers: they must be those of the installed Streamlit, or every wait on the app would time out."""

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.support import app_page


def test_the_watched_field_numbers_are_streamlits():
    assert BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number == app_page.RERUN_SCRIPT
    assert ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number == app_page.SCRIPT_FINISHED
    assert ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN") == app_page.FINISHED_EARLY_FOR_RERUN

