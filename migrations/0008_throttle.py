from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_signin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ThrottleCount',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, description='kind:who:window', max_length=200)),
                ('total', fields.IntField(default=0, description='Failures or cost points in the window')),
                ('expires_at', fields.DatetimeField(description='End of the window, when the row can go', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'throttle_count', 'app': 'models', 'pk_attr': 'key', 'table_description': 'How much one client spent of one allowance in one time window (see app.throttle).'},
            bases=['Model'],
        ),
    ]
