import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tomcatDefaultCredentials as rule } from '../../../src/check/files/rules/tomcat.js';
import { filesFromImage, imagePath } from '../../extract/fixtures/corpus-image.js';
import { run } from './helpers.js';

/** Shape of Tomcat 8.0's stock conf/tomcat-users.xml: license header, sample users commented out. */
const STOCK = `<?xml version="1.0" encoding="UTF-8"?>
<!--
  Licensed to the Apache Software Foundation (ASF) under one or more
  contributor license agreements.
-->
<tomcat-users xmlns="http://tomcat.apache.org/xml"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xsi:schemaLocation="http://tomcat.apache.org/xml tomcat-users.xsd"
              version="1.0">
<!--
  NOTE:  By default, no user is included in the "manager-gui" role required
  to operate the "/manager/html" web application.  If you wish to use this app,
  you must define such a user - the username and password are arbitrary. It is
  strongly recommended that you do NOT use one of the users in the commented out
  section below since they are intended for use with the examples web
  application.
-->
<!--
  NOTE:  The sample user and role entries below are intended for use with the
  examples web application. They are wrapped in a comment and thus are ignored
  when reading this file. If you wish to configure these users for use with the
  examples web application, do not forget to remove the <!.. ..> that surrounds
  them. You will also need to set the passwords to something appropriate.
-->
<!--
  <role rolename="tomcat"/>
  <role rolename="role1"/>
  <user username="tomcat" password="tomcat" roles="tomcat"/>
  <user username="both" password="tomcat" roles="tomcat,role1"/>
  <user username="role1" password="tomcat" roles="role1"/>
-->
</tomcat-users>
`;

describe('config/default-credentials-tomcat', () => {
  it('wants conf/tomcat-users.xml in any directory and Debian /etc/tomcatN, nothing else', () => {
    for (const p of ['opt/tomcat/conf/tomcat-users.xml', 'usr/local/tomcat/conf/tomcat-users.xml', 'conf/tomcat-users.xml', 'etc/tomcat9/tomcat-users.xml']) {
      assert.ok(rule.wants(p), p);
    }
    for (const p of ['opt/tomcat/conf/server.xml', 'usr/share/tomcat9/etc/tomcat-users.xml.sample', 'opt/tomcat/webapps/docs/tomcat-users.xml']) {
      assert.ok(!rule.wants(p), p);
    }
  });

  it('the stock file, whose sample users are inside comments, gives nothing', () => {
    assert.deepEqual(run(rule, 'usr/local/tomcat/conf/tomcat-users.xml', STOCK), []);
  });

  it('the same users uncommented: one hit each, on its line', () => {
    const text = STOCK.replace(/<!--\n {2}<role rolename="tomcat"\/>([\s\S]*?)-->\n/, '  <role rolename="tomcat"/>$1');
    const lineOf = (user: string): number => text.split('\n').findIndex((l) => l.includes(`<user username="${user}"`)) + 1;
    assert.equal(lineOf('tomcat'), 27);
    const hits = run(rule, 'usr/local/tomcat/conf/tomcat-users.xml', text);
    assert.deepEqual(
      hits.map((h) => [h.line, h.message]),
      [
        [lineOf('tomcat'), "Tomcat user 'tomcat' has a well-known password: its password equals the username (roles: tomcat)"],
        [lineOf('both'), "Tomcat user 'both' has a well-known password: its password is a well-known default (roles: tomcat,role1)"],
        [lineOf('role1'), "Tomcat user 'role1' has a well-known password: its password is a well-known default (roles: role1)"],
      ],
    );
  });

  it('parses attribute order, either quote, whitespace and the old name= attribute', () => {
    const text = `<tomcat-users>
  <user
      roles='manager-gui'   password = 'admin'
      username='admin' />
  <user password="" username="admin2" roles="admin-gui"></user>
  <user name="manager" password="manager" roles="manager"/>
  <user username="deploy" password="s3cret" roles="manager-script"/>
  <user username="ops" password="K7#vQ2!pLz9" roles="manager-gui"/>
  <user username="guest" password="guest2024" roles="tomcat"/>
</tomcat-users>`;
    const hits = run(rule, 'opt/tomcat/conf/tomcat-users.xml', text);
    assert.deepEqual(
      hits.map((h) => [h.line, h.severity, /'([^']+)'/.exec(h.message)?.[1], h.message.split(': ')[1]?.replace(/ \(roles.*$/, '')]),
      [
        [2, 'CRITICAL', 'admin', 'its password equals the username'],
        [5, 'CRITICAL', 'admin2', 'its password is empty'],
        [6, 'CRITICAL', 'manager', 'its password equals the username'],
        [7, 'CRITICAL', 'deploy', 'its password is a well-known default'],
      ],
    );
  });

  it('decodes entities, and a comment that closes mid-line does not hide the rest', () => {
    const text = `<tomcat-users><!-- old --><user username="a&amp;b" password="a&#38;b" roles="x"/>
<!-- <user username="x" password="x"/> --></tomcat-users>`;
    const hits = run(rule, 'conf/tomcat-users.xml', text);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.line, 1);
    assert.equal(hits[0]?.severity, undefined, 'role x cannot deploy code: the rule severity (HIGH) applies');
    assert.match(hits[0]?.message ?? '', /'a&b'.*equals the username/);
  });

  describe('the debian-app corpus image', () => {
    let xml = '';
    before(() => {
      const files = filesFromImage(imagePath('debian-app.docker.tar.gz'), (p) => p === 'opt/tomcat/conf/tomcat-users.xml');
      xml = files.get('opt/tomcat/conf/tomcat-users.xml')?.toString('utf8') ?? '';
    });

    it('flags the planted tomcat/tomcat and admin/admin users (2 hits)', () => {
      assert.notEqual(xml, '', 'tomcat-users.xml missing from the corpus image');
      const hits = run(rule, 'opt/tomcat/conf/tomcat-users.xml', xml);
      assert.deepEqual(
        hits.map((h) => [h.line, h.severity, h.message]),
        [
          [9, 'CRITICAL', "Tomcat user 'tomcat' has a well-known password: its password equals the username (roles: manager-gui,manager-script)"],
          [10, 'CRITICAL', "Tomcat user 'admin' has a well-known password: its password equals the username (roles: admin-gui,manager-gui)"],
        ],
      );
    });
  });
});
