"""Reports: the bucket holding each run's JSON and HTML report and the per-unit scan shards.

KMS-encrypted, TLS only, public access blocked, versioned and access logged (issue 5).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from maptag import names


class Reports(Construct):
    def __init__(self, scope: Construct, id: str, *, key: kms.IKey, retention_days: int) -> None:
        super().__init__(scope, id)
        # S3 server access logs cannot be delivered to a bucket encrypted with a customer key.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(retention_days),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="reports-bucket/",
            lifecycle_rules=[
                # Scan shards and Map results are working data: a month is plenty to debug a run.
                s3.LifecycleRule(prefix=names.RUNS_PREFIX, expiration=Duration.days(30)),
                s3.LifecycleRule(prefix=names.MAP_RESULTS_PREFIX, expiration=Duration.days(30)),
                s3.LifecycleRule(prefix=names.REPORTS_PREFIX, expiration=Duration.days(retention_days)),
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
