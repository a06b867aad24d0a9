"""Responses keep the groups they count in (the partner's sector, size and lead flag) as they were
when submitted. For responses submitted before this, the partner's attributes now are the best
record there is."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_partner(apps, schema_editor):
    Response = apps.get_model("assessments", "Response")
    Partner = apps.get_model("places", "Partner")
    partner = Partner.objects.filter(pk=OuterRef("partner_id"))
    Response.objects.update(
        sector=Subquery(partner.values("sector")[:1]),
        size=Subquery(partner.values("size")[:1]),
        is_lead=Subquery(partner.values("is_lead")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_answer_response_no_separate_index"),
        ("places", "0002_failed_login"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="sector",
            field=models.CharField(
                choices=[
                    ("local_authority", "Local authority"),
                    ("nhs", "NHS / health"),
                    ("public", "Other public service"),
                    ("voluntary", "Voluntary & community"),
                    ("social_enterprise", "Social enterprise / co-operative"),
                    ("business", "Business"),
                    ("faith", "Faith group"),
                    ("residents", "Residents' group"),
                    ("funder", "Funder"),
                ],
                default="",
                max_length=32,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="response",
            name="size",
            field=models.CharField(
                choices=[
                    ("micro", "Micro"),
                    ("small", "Small"),
                    ("medium", "Medium"),
                    ("large", "Large"),
                    ("national", "National"),
                ],
                default="",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="response",
            name="is_lead",
            field=models.BooleanField(default=False, verbose_name="from a lead partner"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_from_partner, migrations.RunPython.noop),
    ]
