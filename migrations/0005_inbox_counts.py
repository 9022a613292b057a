from tortoise import migrations
from tortoise.migrations import operations as ops
from models.statuses import ApplicationStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_inbox_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboxCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('authority_id', fields.IntField(description='The addressed authority (organisation id)')),
                ('status', fields.CharEnumField(description='DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED', enum_type=ApplicationStatus, max_length=24)),
                ('total', fields.IntField(default=0, description='Submitted applications in this status')),
            ],
            options={'table': 'inbox_count', 'app': 'models', 'unique_together': (('authority_id', 'status'),), 'pk_attr': 'id', 'table_description': 'How many submitted applications an authority has in one status.'},
            bases=['Model'],
        ),
        # the counts of the applications submitted so far (the same SQL on SQLite and PostgreSQL)
        ops.RunSQL(
            "INSERT INTO inbox_count (authority_id, status, total) "
            "SELECT authority_id, status, COUNT(*) FROM application "
            "WHERE submitted_at IS NOT NULL GROUP BY authority_id, status",
            reverse_sql="DELETE FROM inbox_count",
        ),
    ]
