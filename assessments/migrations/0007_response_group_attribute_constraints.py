from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_response_group_attributes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "sector__in",
                        [
                            "local_authority",
                            "nhs",
                            "public",
                            "voluntary",
                            "social_enterprise",
                            "business",
                            "faith",
                            "residents",
                            "funder",
                        ],
                    )
                ),
                name="response_sector_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(("size__in", ["micro", "small", "medium", "large", "national"])),
                name="response_size_valid",
            ),
        ),
    ]
