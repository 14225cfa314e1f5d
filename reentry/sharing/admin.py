"""``ShareableAdmin``: guardian's object-permission admin for every shareable model.

The sharing level is read-only here: it changes only through ``sharing_set``, which
re-grants in one transaction and writes the audit log. The object-permissions page
shows the group grants; grants go to the groups that back organizations, sectors,
working groups and collaboratives, never to single people, so the per-person page
is closed. A grant changed on the per-group page is written to the audit log.
"""

from django.contrib.admin.utils import unquote
from django.http import Http404
from guardian.admin import GuardedModelAdmin

from reentry.audit.log import record


class ShareableAdmin(GuardedModelAdmin):
    list_display = ["__str__", "owner", "sharing_level"]
    list_filter = ["sharing_level"]
    list_select_related = ["owner"]
    readonly_fields = ["sharing_level"]
    raw_id_fields = ["owner"]

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        raise Http404

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        response = super().obj_perms_manage_group_view(request, object_pk, group_id)
        if request.method == "POST" and response.status_code == 302:
            obj = self.get_queryset(request).get(pk=unquote(object_pk))
            record(
                "sharing.admin_changed",
                request=request,
                collaborative=obj.sharing_collaborative(),
                obj=obj,
                group_id=int(group_id),
                permissions=sorted(request.POST.getlist("permissions")),
            )
        return response
