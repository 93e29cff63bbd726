"""Access control: permission decisions and the ``require`` guard routes declare.

Routes never compare role names: they declare a ``Permission`` constant with ``require``; the decision
is made by ``AccessControl.check``. core.access.enforcer holds the Casbin-backed implementation.
"""

from core.access.control import AccessControl
from core.access.guard import Decision, Forbidden, require, required_permission

__all__ = ["AccessControl", "Decision", "Forbidden", "require", "required_permission"]
