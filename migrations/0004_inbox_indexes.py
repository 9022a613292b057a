from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['authority_id', 'submitted_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['authority_id', 'updated_at', 'id']),
        ),
    ]
