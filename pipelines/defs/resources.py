"""The one resource every step shares: where the raw files are and where the warehouse is built."""

from __future__ import annotations

import dagster as dg

from pipelines.core.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Folders of one warehouse: raw input, and the build/publish folder (see ``core.settings``)."""

    data_raw_dir: str
    warehouse_dir: str

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(
            data_raw_dir=str(settings.data_raw_dir), warehouse_dir=str(settings.warehouse_dir)
        )

    @property
    def settings(self) -> Settings:
        return Settings.at(self.data_raw_dir, self.warehouse_dir)
