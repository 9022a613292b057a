"""Operation texts shared by the application tests."""

APPLICATION_FIELDS = """
  id status version isSharedWithAuthorities origin certainty submittedAt processedAt
  authority { code } permitType { code }
  statusHistory { totalCount nodes { fromStatus toStatus comment actorName } }
  content { formData sharedData }
  viewerCanReadContent viewerCanEdit
"""

APPLICATION_CREATE = f"""
mutation($input: ApplicationCreateInput!) {{
  applicationCreate(input: $input) {{ application {{ {APPLICATION_FIELDS} }} userErrors {{ code field message }} }}
}}
"""

APPLICATION_UPDATE = f"""
mutation($input: ApplicationUpdateInput!) {{
  applicationUpdate(input: $input) {{ application {{ {APPLICATION_FIELDS} }} userErrors {{ code field message }} }}
}}
"""

APPLICATION_SHARE = f"""
mutation($input: ApplicationShareInput!) {{
  applicationShare(input: $input) {{ application {{ {APPLICATION_FIELDS} }} userErrors {{ code field message }} }}
}}
"""

APPLICATION_SUBMIT = f"""
mutation($input: ApplicationSubmitInput!) {{
  applicationSubmit(input: $input) {{ application {{ {APPLICATION_FIELDS} }} userErrors {{ code field message }} }}
}}
"""

APPLICATION_WITHDRAW = f"""
mutation($input: ApplicationWithdrawInput!) {{
  applicationWithdraw(input: $input) {{ application {{ {APPLICATION_FIELDS} }} userErrors {{ code field message }} }}
}}
"""

APPLICATION = f"""
query($id: ID!) {{ application(id: $id) {{ {APPLICATION_FIELDS} }} }}
"""
