from tortoise import migrations
from tortoise.migrations import operations as ops
from models.authority_work import AuditAction
from models.statuses import ApplicationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_core')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.CharEnumField(description='CONTENT_READ: CONTENT_READ\nEXPORT: EXPORT\nASSIGNMENT: ASSIGNMENT\nSTATUS_CHANGE: STATUS_CHANGE\nDECISION: DECISION\nNOTICE_REDIRECT: NOTICE_REDIRECT', enum_type=AuditAction, max_length=24)),
                ('object_type', fields.CharField(max_length=32)),
                ('object_id', fields.IntField()),
                ('authority', fields.ForeignKeyField('models.Organisation', source_field='authority_id', description='The authority whose application it concerns (its admins read the entry)', db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.RESTRICT)),
                ('actor', fields.ForeignKeyField('models.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries_made', on_delete=OnDelete.RESTRICT)),
                ('actor_label', fields.CharField(max_length=200)),
                ('acting_for', fields.ForeignKeyField('models.Organisation', source_field='acting_for_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries_acted_for', on_delete=OnDelete.RESTRICT)),
                ('xroad_client', fields.CharField(null=True, max_length=500)),
                ('xroad_id', fields.CharField(null=True, max_length=500)),
                ('xroad_user_id', fields.CharField(null=True, max_length=500)),
                ('details', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['authority_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Who did what to which object, when, for which organisation, via which X-Road client.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Decision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='decision', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharEnumField(description='DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED', enum_type=ApplicationStatus, max_length=24)),
                ('decided_on', fields.DateField()),
                ('summary', fields.TextField(unique=False)),
                ('document_reference', fields.CharField(null=True, max_length=500)),
                ('is_shared', fields.BooleanField(default=True, description='Visible to the other involved authorities')),
                ('recorded_by', fields.ForeignKeyField('models.Person', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='decisions_recorded', on_delete=OnDelete.RESTRICT)),
                ('recorded_by_label', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'decision', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The outcome of an application as the authority recorded it in Luukku.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplementRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='supplement_requests', on_delete=OnDelete.CASCADE)),
                ('message', fields.TextField(unique=False)),
                ('due_date', fields.DateField()),
                ('requested_by', fields.ForeignKeyField('models.Person', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='supplements_requested', on_delete=OnDelete.RESTRICT)),
                ('requested_by_label', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_by', fields.ForeignKeyField('models.Person', source_field='answered_by_id', null=True, db_constraint=True, to_field='id', related_name='supplements_answered', on_delete=OnDelete.RESTRICT)),
                ('answer_message', fields.TextField(null=True, unique=False)),
                ('answer_content', fields.JSONField(null=True, description='The form content as supplemented', encoder=JSON_DUMPS, decoder=loads)),
                ('closed_at', fields.DatetimeField(null=True, description='Closed by the handler without an answer', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supplement_request', 'app': 'models', 'indexes': [Index(fields=['application_id', 'id'])], 'pk_attr': 'id', 'table_description': "A handler's request for more information (täydennyspyyntö), and the customer's answer."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Thread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='thread', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'thread', 'app': 'models', 'indexes': [Index(fields=['project_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A discussion: one per application (customer ↔ its authority), one per project'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('models.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Person', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='messages_written', on_delete=OnDelete.RESTRICT)),
                ('author_label', fields.CharField(max_length=200)),
                ('acting_for', fields.ForeignKeyField('models.Organisation', source_field='acting_for_id', null=True, db_constraint=True, to_field='id', related_name='messages_acted_for', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': [Index(fields=['thread_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
