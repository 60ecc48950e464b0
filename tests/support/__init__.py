"""Test helpers and local stand-ins of outside services, imported by the tests (never from conftest)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures"
