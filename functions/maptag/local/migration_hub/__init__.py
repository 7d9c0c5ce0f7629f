"""A local AWS Migration Hub for tests and the demo (moto has none: docs/map-tagging-rules.md).

It serves the `mgh` (target prefix `AWSMigrationHub`) and `migrationhub-config` (target prefix
`AWSMigrationHubMultiAccountService`) JSON 1.1 APIs over HTTP on loopback (`running_hub`,
`maptag hub serve`) and in process (`LocalMigrationHub.handle` / `.invoke`, or `attach` to
route a boto3 session's calls to it without a socket), with one state core (`HubState`, in
memory or in a JSON file). Clients reach it the standard way, through
AWS_ENDPOINT_URL_MIGRATION_HUB and AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG.

Operations: every operation of both APIs as botocore 1.43 models them (streams, tasks and
their updates, resource attributes, discovered resources, created artifacts, source
resources, application states; home region controls). `served_operations()` lists them.

What it does as the real service documents it:
- Every request is validated against botocore's own service model, recursively: required
  members, JSON types, min/max lengths and list sizes, min/max values, patterns and enums
  (validation.py). Failures answer InvalidInputException, worded like AWS request
  validation ("1 validation error detected: Value ... at 'task.status' ...").
- The region of a call is its SigV4 credential scope. `mgh` calls before any home region
  exists answer HomeRegionNotSetException (for the operations whose model lists it); write
  calls (Create, Notify, Associate, Disassociate, Import, Put) in another region than the
  home region answer InvalidInputException; read calls (List, Describe, Delete) are answered
  from any region with the home region's data, as the home region API reference says.
- An unknown stream or task answers ResourceNotFoundException.
- PutResourceAttributes replaces the task's attribute list; VM_NAME, VM_PATH and
  VM_MANAGED_OBJECT_REFERENCE are discarded unless a VM_MANAGER_ID is among them.
- Error bodies are `{"__type": CODE, "message": ...}`; HTTP 400 for client errors (including
  DryRunOperation and ThrottlingException), 500 for InternalServerError and
  ServiceUnavailableException, as the API reference lists them.

Choices where the real behaviour is not documented (a test double must pick one):
- Order of checks: injected fault, then validation, then home region, then DryRun, then the
  operation (so DryRun=true on a valid request answers DryRunOperation even for a task
  that does not exist: DryRun tests permission, not existence). DryRun changes nothing.
- Type mismatches (a string where an integer belongs) answer InvalidInputException, not
  SerializationException; unknown request members are ignored, as AWS's JSON services do.
- Patterns match the whole value with Java semantics (`.` matches no line terminator, `\\d`
  is ASCII); lengths count UTF-16 code units. Both are the stricter reading, so a request
  this hub accepts is one the service accepts.
- CreateProgressUpdateStream on an existing stream succeeds and changes nothing.
- DeleteProgressUpdateStream deletes the stream and its tasks at once (the service does it
  asynchronously and may briefly still list the stream).
- ImportMigrationTask of an existing task succeeds and keeps its state. A task that was
  imported but never notified has Status NOT_STARTED and UpdateDateTime = import time.
- NotifyMigrationTaskState replaces the task's state even when its UpdateDateTime is older
  than the current one: the last call wins. A double that kept the newest would hide a
  client that sends stale results out of order. Every notification is kept in the task's
  update history (ListMigrationTaskUpdates, newest first, UpdateType
  MIGRATION_TASK_STATE_UPDATED).
- One account (HubState.account_id, moto's default 123456789012). CreateHomeRegionControl
  for another Target.Id answers InvalidInputException; creating a second control for the
  same region returns the existing one, for another region answers InvalidInputException
  (delete the control first). DeleteHomeRegionControl of an unknown id answers
  InvalidInputException (the model lists no ResourceNotFoundException for it).
  GetHomeRegion without a control answers `{}`.
- Streams belong to the home region they were created in: after the home region moves, the
  old streams are not visible (the service keeps data in the home region).
- ListMigrationTasks' ResourceName matches the ConfigurationId of an associated discovered
  resource. There is no Application Discovery Service here: any ConfigurationId or
  ApplicationId is accepted (the service checks them against its discovery data and may
  answer PolicyErrorException). Associating an item again replaces it; disassociating one
  that is not associated answers ResourceNotFoundException, as does DescribeApplicationState
  for an application never notified.
- Lists are sorted by name (updates newest first); MaxResults defaults to 100; NextToken is
  opaque and an unknown one answers InvalidInputException.
- Unmodelled operations answer UnknownOperationException; the signature itself is not
  verified (no secret keys exist here), only the presence and scope of the credential.
"""

from maptag.local.migration_hub.server import MigrationHubApp, attach, make_hub_server, running_hub
from maptag.local.migration_hub.service import HubError, LocalMigrationHub, served_operations
from maptag.local.migration_hub.state import Call, HubState, StateFileError

__all__ = [
    "Call",
    "HubError",
    "HubState",
    "LocalMigrationHub",
    "MigrationHubApp",
    "StateFileError",
    "attach",
    "make_hub_server",
    "running_hub",
    "served_operations",
]
