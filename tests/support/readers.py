"""One base test for every reader of sources/, as geopy's geocoders share theirs: what each reader promises.

A reader's test module subclasses `ReaderContract`, names the reader, a real file it must read and how to
get the records out of what it returns; the contract's tests then run for that reader too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from outreach.errors import InputError


class ReaderContract:
    reader = None  # the reader: reader(path, *, data=None, name=None)
    sample: Path  # a real file (shipped data or ../shared/data) that the reader must read
    attribute = ""  # where the records are in what the reader returns ("areas", "frame"…)

    def read(self, path, **kwargs):
        return type(self).reader(path, **kwargs)

    def records(self, result):
        found = getattr(result, self.attribute)
        return found if isinstance(found, pd.DataFrame) else list(found)

    def test_reads_a_real_file(self):
        assert len(self.records(self.read(self.sample))) > 0

    def test_a_file_and_its_upload_read_the_same(self):
        upload = self.records(self.read(self.sample.name, data=self.sample.read_bytes(), name=self.sample.name))
        from_file = self.records(self.read(self.sample))
        # frames compare with pandas' rules (NaN equals NaN where both are missing)
        assert upload.equals(from_file) if isinstance(upload, pd.DataFrame) else upload == from_file

    def test_an_empty_upload_is_refused_naming_the_file(self):
        name = f"vide{self.sample.suffix}"
        with pytest.raises(InputError) as err:
            self.read(name, data=b"", name=name)
        assert err.value.file == name and err.value.fix

    def test_a_missing_file_is_refused_naming_it(self, tmp_path):
        missing = tmp_path / f"absent{self.sample.suffix}"
        with pytest.raises(InputError) as err:
            self.read(missing)
        assert str(missing) in str(err.value) and err.value.fix

    def test_bytes_of_another_kind_are_an_input_error_not_a_crash(self):
        name = f"autre{self.sample.suffix}"
        with pytest.raises(InputError) as err:
            self.read(name, data=b"\x00\xff\xfe\x01 ceci n'est pas le bon fichier \x02" * 4, name=name)
        assert err.value.file == name
