from django import template

from places.models import Role

register = template.Library()


@register.filter
def has_facilitator_role(memberships) -> bool:
    """Whether any of these (already loaded) memberships is a facilitator's; no query."""
    return any(membership.role == Role.FACILITATOR for membership in memberships)
