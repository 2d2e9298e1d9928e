from django.contrib import admin

from cityhall.accounts.models import ApiToken, Department, RoleAssignment, User
from cityhall.core.admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin):
    list_display = ["email", "full_name", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "groups", "user_permissions"]
    readonly_fields = ["last_login", "date_joined", "is_staff", "is_superuser"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ["user", "role", "department", "created_at"]
    list_filter = ["role"]
    readonly_fields = ["user", "role", "department", "granted_by", "created_at"]

    # Roles change only through role_assign/role_revoke (`cityhall role`), which keep admin-site
    # access in step and write the audit row.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "revoked_at"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "secret_hash",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
