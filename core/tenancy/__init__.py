"""Tenancy: the administrative tree, its in-memory directory, tree files and the rules for changing them."""

from core.tenancy.directory import Directory, Effective, TenantRef, load_directory
from core.tenancy.models import Department, Kind, Level, PluginState, Tenant, TenantSetting

__all__ = [
    "Department", "Directory", "Effective", "Kind", "Level", "PluginState", "Tenant", "TenantRef",
    "TenantSetting", "load_directory",
]
