import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { siteDirOf } from '../../../src/extract/python/index.js';
import { normalizePythonName, pythonDistFacts, reduceMetadata } from '../../../src/extract/python/metadata.js';
import { dir, file } from '../../fixtures/hostile-images.js';
import { byId, inventoryOfLayers, ofEcosystem } from '../fixtures/lang-image.js';

const METADATA = `Metadata-Version: 2.1
Name: Flask_SQLAlchemy
Version: 3.0.5
Summary: Add SQLAlchemy support to your Flask application.
License: BSD-3-Clause
Classifier: License :: OSI Approved :: BSD License
Requires-Dist: flask>=2.2.5

Flask-SQLAlchemy
================

Name: not-a-header
`;

describe('python metadata', () => {
  it('PEP 503 names', () => {
    assert.equal(normalizePythonName('Flask_SQLAlchemy'), 'flask-sqlalchemy');
    assert.equal(normalizePythonName('zope.interface'), 'zope-interface');
    assert.equal(normalizePythonName('a-_.b__c'), 'a-b-c');
  });

  it('headers end at the first blank line; license from License-Expression, short License, or classifiers', () => {
    assert.deepEqual(pythonDistFacts(METADATA), { name: 'Flask_SQLAlchemy', version: '3.0.5', license: 'BSD-3-Clause' });
    assert.equal(pythonDistFacts('Name: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: whatever\n').license, 'MIT OR Apache-2.0');
    // the whole license text as a multi-line header is not a license name
    const longLicense = 'Name: a\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n';
    assert.equal(pythonDistFacts(longLicense).license, 'MIT License');
    assert.equal(pythonDistFacts('Name: a\nVersion: 1\nLicense: UNKNOWN\n').license, undefined);
    assert.deepEqual(pythonDistFacts('Name: a\r\nVersion: 2.0\r\n\r\nVersion: 3\r\n'), { name: 'a', version: '2.0' });
  });

  it('the claim keeps only the facts, not the README', () => {
    const kept = reduceMetadata('x', Buffer.from(METADATA + 'x'.repeat(100_000)));
    assert.ok(kept.length < 200, `${kept.length} bytes kept`);
    assert.deepEqual(JSON.parse(kept.toString()), { name: 'Flask_SQLAlchemy', version: '3.0.5', license: 'BSD-3-Clause' });
  });

  it('metadata directly in a site dir only', () => {
    assert.equal(siteDirOf('usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA'), 'usr/local/lib/python3.11/site-packages');
    assert.equal(siteDirOf('usr/lib/python3/dist-packages/six-1.16.0.egg-info'), 'usr/lib/python3/dist-packages');
    assert.equal(siteDirOf('usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO'), 'usr/lib/python3/dist-packages');
    assert.equal(siteDirOf('opt/venv/lib/python3.12/site-packages/x-1.0-py3.12.egg/EGG-INFO/PKG-INFO'), 'opt/venv/lib/python3.12/site-packages');
    for (const no of [
      'usr/lib/python3/dist-packages/pkg/tests/data/x-1.0.dist-info/METADATA',
      'usr/lib/python3/dist-packages/x-1.0.dist-info/RECORD',
      'home/u/src/x.egg-info/PKG-INFO',
      'usr/lib/python3/dist-packages/x.dist-info/METADATA.bak',
      'METADATA',
    ]) {
      assert.equal(siteDirOf(no), undefined, no);
    }
  });
});

it('python distributions in an image: dist-info, egg-info file and dir, eggs; malformed ones warn', async () => {
  const site = 'usr/local/lib/python3.11/site-packages';
  const inv = await inventoryOfLayers([
    [
      file(`${site}/Flask_SQLAlchemy-3.0.5.dist-info/METADATA`, METADATA),
      file(`${site}/requests-2.31.0.dist-info/METADATA`, 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n'),
      dir('usr/lib/python3/dist-packages/six-1.16.0.egg-info'),
      file('usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nLicense: MIT\n'),
      file('usr/lib/python3/dist-packages/chardet-5.1.0.egg-info', 'Metadata-Version: 1.1\nName: chardet\nVersion: 5.1.0\n'),
      file('opt/venv/lib/python3.12/site-packages/zope.interface-6.0-py3.12.egg/EGG-INFO/PKG-INFO', 'Name: zope.interface\nVersion: 6.0\n'),
      // the same distribution in another environment is another install
      file('opt/venv/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA', 'Name: requests\nVersion: 2.31.0\n'),
      file(`${site}/pkg/tests/x-9.dist-info/METADATA`, 'Name: x\nVersion: 9\n'),
      file(`${site}/noname-1.0.dist-info/METADATA`, 'Metadata-Version: 2.1\nVersion: 1.0\n'),
      file(`${site}/binary-1.0.dist-info/METADATA`, Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 10])),
    ],
  ]);
  const py = ofEcosystem(inv, 'pypi');
  assert.deepEqual(py.map((p) => `${p.name}@${p.version}`).sort(), [
    'chardet@5.1.0',
    'flask-sqlalchemy@3.0.5',
    'requests@2.31.0',
    'requests@2.31.0',
    'six@1.16.0',
    'zope-interface@6.0',
  ]);
  const flask = byId(py.filter((p) => p.name === 'flask-sqlalchemy')).get('flask-sqlalchemy@3.0.5')!;
  assert.equal(flask.purl, 'pkg:pypi/flask-sqlalchemy@3.0.5');
  assert.equal(flask.license, 'BSD-3-Clause');
  assert.deepEqual(flask.paths, [`${site}/Flask_SQLAlchemy-3.0.5.dist-info/METADATA`]);
  assert.equal(flask.layer, 0);
  assert.equal(py.find((p) => p.name === 'zope-interface')?.purl, 'pkg:pypi/zope-interface@6.0');
  assert.equal(inv.warnings.length, 2, inv.warnings.join('\n'));
  assert.match(inv.warnings.find((w) => w.includes('noname-1.0'))!, /no Name header/);
  assert.match(inv.warnings.find((w) => w.includes('binary-1.0'))!, /no Name header/);
});
