"""Permissions of the vendor_demo plugin, declared as data (``<plugin>:<resource>:<action>``)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

NOTE_VIEW = Permission("vendor_demo:note:view", "查看便民告示", "View notices", read_only=True)
NOTE_CREATE = Permission("vendor_demo:note:create", "发布便民告示", "Publish notices")

PERMISSIONS = [NOTE_VIEW, NOTE_CREATE]

# Everyone may read notices; the core role item_handler (事项办理员) may also publish them.
ROLES = [
    RoleTemplate("guest", "访客", "Guest", (NOTE_VIEW.name,)),
    RoleTemplate("item_handler", "事项办理员", "Item handler", (NOTE_VIEW.name, NOTE_CREATE.name)),
]
