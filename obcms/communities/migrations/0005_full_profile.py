"""The full community profile (OOBC's form, in sections), service ratings next to the yes/no
answers they replace (0006 carries them over, 0007 drops the old fields), and archive."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0004_coordinates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='community',
            options={'default_permissions': ('add', 'change', 'delete', 'view', 'archive'), 'ordering': ['name'], 'verbose_name_plural': 'communities'},
        ),
        migrations.AddField(
            model_name='community',
            name='access_alternative_learning',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='alternative learning (ALS)'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_communication',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], help_text='Mobile signal, internet, radio.', max_length=10, verbose_name='communication'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_electricity',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='electricity'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_formal_education',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='formal education'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_health_care',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='health care'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_madrasah',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='madrasah education'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_potable_water',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='potable water'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_roads_transport',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='roads and transport'),
        ),
        migrations.AddField(
            model_name='community',
            name='access_sanitation',
            field=models.CharField(blank=True, choices=[('excellent', 'Excellent'), ('good', 'Good'), ('fair', 'Fair'), ('poor', 'Poor'), ('none', 'None (no access)'), ('available', 'Available, not rated')], max_length=10, verbose_name='sanitation'),
        ),
        migrations.AddField(
            model_name='community',
            name='archive_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='community',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='community',
            name='archived_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='community',
            name='asatidz',
            field=models.PositiveIntegerField(blank=True, help_text='Religious teachers (ustadz, ustadzah).', null=True, verbose_name='asatidz'),
        ),
        migrations.AddField(
            model_name='community',
            name='aspirations',
            field=models.TextField(blank=True, help_text='What the community hopes for.'),
        ),
        migrations.AddField(
            model_name='community',
            name='challenges',
            field=models.TextField(blank=True, help_text='As the community describes them.'),
        ),
        migrations.AddField(
            model_name='community',
            name='cooperatives',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='cooperatives'),
        ),
        migrations.AddField(
            model_name='community',
            name='displaced_people',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='internally displaced people'),
        ),
        migrations.AddField(
            model_name='community',
            name='families',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='families'),
        ),
        migrations.AddField(
            model_name='community',
            name='farmers',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='farmers'),
        ),
        migrations.AddField(
            model_name='community',
            name='fisherfolk',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='fisherfolk'),
        ),
        migrations.AddField(
            model_name='community',
            name='indigenous_people',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='indigenous people'),
        ),
        migrations.AddField(
            model_name='community',
            name='lgu_relationship',
            field=models.CharField(blank=True, choices=[('strong', 'Strong: regular consultation and support'), ('fair', 'Fair: occasional contact'), ('weak', 'Weak: little or no contact'), ('strained', 'Strained: disputes or exclusion')], max_length=10, verbose_name='relationship with the LGU'),
        ),
        migrations.AddField(
            model_name='community',
            name='lgu_relationship_notes',
            field=models.TextField(blank=True, help_text='Programmes reaching the community, consultation, representation, disputes.', verbose_name='about the relationship'),
        ),
        migrations.AddField(
            model_name='community',
            name='madrasahs',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='madrasahs'),
        ),
        migrations.AddField(
            model_name='community',
            name='mosques',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='mosques'),
        ),
        migrations.AddField(
            model_name='community',
            name='other_names',
            field=models.CharField(blank=True, help_text='Other names it is known by, comma-separated.', max_length=300),
        ),
        migrations.AddField(
            model_name='community',
            name='overseas_workers',
            field=models.PositiveIntegerField(blank=True, help_text='Overseas Filipino workers (OFWs).', null=True, verbose_name='overseas workers'),
        ),
        migrations.AddField(
            model_name='community',
            name='peoples_organizations',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="people's organisations"),
        ),
        migrations.AddField(
            model_name='community',
            name='persons_with_disability',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='persons with disability'),
        ),
        migrations.AddField(
            model_name='community',
            name='proximity_to_barmm',
            field=models.CharField(blank=True, choices=[('adjacent', 'Adjacent (borders the BARMM)'), ('near', "Near (a few hours' travel)"), ('far', "Far (a day's travel or more)")], max_length=10, verbose_name='proximity to the BARMM'),
        ),
        migrations.AddField(
            model_name='community',
            name='purok_sitio',
            field=models.CharField(blank=True, help_text='Within the barangay.', max_length=200, verbose_name='purok or sitio'),
        ),
        migrations.AddField(
            model_name='community',
            name='religious_leaders',
            field=models.PositiveIntegerField(blank=True, help_text='Imams and other religious leaders.', null=True, verbose_name='religious leaders'),
        ),
        migrations.AddField(
            model_name='community',
            name='senior_citizens',
            field=models.PositiveIntegerField(blank=True, help_text='Aged 60 and over.', null=True, verbose_name='senior citizens'),
        ),
        migrations.AddField(
            model_name='community',
            name='settlement_type',
            field=models.CharField(blank=True, choices=[('urban', 'Urban'), ('rural', 'Rural'), ('coastal', 'Coastal'), ('upland', 'Upland or mountain'), ('island', 'Island'), ('riverine', 'Riverine or lakeside')], max_length=10, verbose_name='settlement type'),
        ),
        migrations.AddField(
            model_name='community',
            name='solo_parents',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='solo parents'),
        ),
        migrations.AddField(
            model_name='community',
            name='unemployed',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='unemployed'),
        ),
        migrations.AddField(
            model_name='community',
            name='women',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='women'),
        ),
        migrations.AddField(
            model_name='community',
            name='youth',
            field=models.PositiveIntegerField(blank=True, help_text='Aged 15 to 30.', null=True, verbose_name='youth'),
        ),
    ]
