import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Publisher } from '@backstage/plugin-techdocs-node';
import express from 'express';
import path from 'node:path';
import S3rver from 's3rver';
import request from 'supertest';
import {
  buildSite,
  removeTempDirs,
  tempDir,
  writeTree,
} from '../__testUtils__/build';

// TechDocs stored in S3-compatible storage (techdocs.publisher.type awsS3
// with an endpoint): s3rver speaks the S3 protocol on loopback, as MinIO or
// Ceph would in production.
jest.setTimeout(120_000);

const bucket = 'opsdeck-techdocs';
let s3rver: S3rver;
let endpoint: string;

beforeAll(async () => {
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(await tempDir(), 's3rver'),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await s3rver.run();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver?.close();
  await removeTempDirs();
});

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default', uid: 'u1' },
  spec: {},
};

describe('TechDocs in S3-compatible storage', () => {
  it('publishes a site built with Debian mkdocs and serves it back', async () => {
    const source = await tempDir();
    await writeTree(source, {
      'mkdocs.yml': 'site_name: Payments API\n',
      'docs/index.md': '# Payments API\n',
      'docs/runbooks/failover.md': '# Failover\n\nPromote the replica.\n',
    });
    const { output } = await buildSite(source);

    const config = new ConfigReader({
      techdocs: {
        publisher: {
          type: 'awsS3',
          awsS3: {
            bucketName: bucket,
            region: 'us-east-1',
            endpoint,
            s3ForcePathStyle: true,
            credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          },
        },
      },
    });
    const publisher = await Publisher.fromConfig(config, {
      logger: mockServices.logger.mock(),
      discovery: mockServices.discovery(),
    });
    expect(await publisher.getReadiness()).toEqual({ isAvailable: true });
    expect(await publisher.hasDocsBeenGenerated(entity)).toBe(false);

    const published = await publisher.publish({ entity, directory: output });
    expect(published?.objects).toEqual(
      expect.arrayContaining([
        'default/component/payments-api/index.html',
        'default/component/payments-api/runbooks/failover/index.html',
        'default/component/payments-api/techdocs_metadata.json',
      ]),
    );
    expect(await publisher.hasDocsBeenGenerated(entity)).toBe(true);
    const metadata = await publisher.fetchTechDocsMetadata({
      namespace: 'default',
      kind: 'component',
      name: 'payments-api',
    });
    expect(metadata.site_name).toBe('Payments API');

    const app = express().use('/static/docs', publisher.docsRouter());
    const page = await request(app).get(
      '/static/docs/default/component/payments-api/runbooks/failover/index.html',
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('Promote the replica.');
  });
});
