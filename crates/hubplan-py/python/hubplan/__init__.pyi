from os import PathLike
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

__version__: str

class HubplanError(ValueError): ...
class InputError(HubplanError): ...

class Plan:
    @property
    def status(self) -> str: ...
    @property
    def objective(self) -> float | None: ...
    @property
    def bound(self) -> float | None: ...
    @property
    def gap(self) -> float | None: ...
    @property
    def totals(self) -> dict[str, Any]: ...
    @property
    def infeasibility(self) -> dict[str, Any] | None: ...
    @property
    def explanations(self) -> Any: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def summary(self) -> str: ...
    @property
    def document(self) -> dict[str, Any]: ...
    @property
    def sites(self) -> pd.DataFrame: ...
    @property
    def zones(self) -> pd.DataFrame: ...
    def to_json(self) -> str: ...
    def write(self, directory: str | PathLike[str], report: bool = True) -> Path: ...

class Scenario:
    crs: str
    @property
    def notices(self) -> list[Any]: ...
    @classmethod
    def from_frames(
        cls,
        sites: pd.DataFrame | None = None,
        zones: pd.DataFrame | None = None,
        travel_times: pd.DataFrame | None = None,
        services: pd.DataFrame | Mapping[str, Any] | None = None,
        /,
        **settings: Any,
    ) -> Scenario: ...
    def plan(
        self,
        *,
        keep: Sequence[str] | None = None,
        close: Sequence[str] | None = None,
        free: Sequence[str] | None = None,
        max_minutes: float | None = None,
        budget: float | None = None,
        savings_target: float | None = None,
        capital_budget: float | None = None,
        objective: str | None = None,
        sites: int | None = None,
        time_limit_s: float | None = None,
    ) -> Plan: ...
    def sweep(
        self,
        budgets: Sequence[float] | None = None,
        max_minutes: Sequence[float] | None = None,
        threads: int | None = None,
    ) -> pd.DataFrame: ...
    def alternatives(self, k: int = 5, within: float = 5.0) -> pd.DataFrame: ...

def load_scenario(path: str | PathLike[str], *, gtfs_max_file_mib: int | None = None) -> Scenario: ...
def travel_times(
    gtfs: str | PathLike[str],
    origins: Any,
    destinations: Any,
    date: str,
    window: str = "07:00-09:00",
    percentile: float = 50,
    max_minutes: float = 90,
    **options: Any,
) -> pd.DataFrame: ...
def travel_times_text(
    gtfs: Any,
    origins: Any,
    destinations: Any,
    date: str,
    window: str = "07:00-09:00",
    percentile: float = 50,
    max_minutes: float = 90,
    origin_block: tuple[int, int] | None = None,
    header: bool = True,
    **options: Any,
) -> str: ...
def compare(a: Plan | str | PathLike[str], b: Plan | str | PathLike[str]) -> dict[str, Any]: ...
