"""Reporting: what a campaign achieved, from Meta's results and the library's activity.

The public surface is here; the modules behind it are:
- `results_store`: the results database (SQLAlchemy), import batches, history, activity;
- `plan_link`: the plan a result belongs to, read back from the folder `outreach plan` wrote;
- `figures`: reading exports, importing them, and the aggregations (reach per theme, branch, area, day;
  activity before and after);
- `printable`: the self-contained HTML report for management;
- `demo`: the SYNTHETIC demonstration results, in their own database.
"""

from outreach.reporting.demo import demo_dir, demo_store
from outreach.reporting.figures import (
    BASIS_ADSET_SUM,
    BASIS_AREA,
    BASIS_CAMPAIGN,
    BASIS_DAILY_SUM,
    BASIS_PERIOD,
    DIMENSIONS,
    OUTCOME_LABELS,
    UNMATCHED,
    WINDOWS,
    Outcome,
    ReachTable,
    ReadReports,
    adset_figures,
    campaign_period,
    day_table,
    import_reports,
    object_figures,
    outcome,
    outcome_csv_frame,
    outcome_markdown,
    plan_choices,
    reach_map_data,
    reach_mark,
    reach_shown,
    reach_table,
    read_reports,
    store_reports,
    to_csv_frame,
    to_markdown,
)
from outreach.reporting.plan_link import PlanLink, read_plan_dir
from outreach.reporting.printable import management_report
from outreach.reporting.results_store import ImportSummary, ReportStore

__all__ = [
    "BASIS_ADSET_SUM", "BASIS_AREA", "BASIS_CAMPAIGN", "BASIS_DAILY_SUM", "BASIS_PERIOD", "DIMENSIONS",
    "OUTCOME_LABELS", "UNMATCHED", "WINDOWS", "ImportSummary", "Outcome", "PlanLink", "ReachTable", "ReadReports",
    "ReportStore", "adset_figures", "campaign_period", "day_table", "demo_dir", "demo_store", "import_reports",
    "management_report", "object_figures", "outcome", "outcome_csv_frame", "outcome_markdown", "plan_choices",
    "reach_map_data", "reach_mark", "reach_shown", "reach_table", "read_plan_dir", "read_reports",
    "store_reports", "to_csv_frame", "to_markdown",
]
