import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.js';
import { MAX_CERT_URL_LENGTH, isSnsServiceHost, validateCertUrl } from '../../src/sns/cert-url.js';

const PEM = '/SimpleNotificationService-0123abcd.pem';

function rejected(url: string, pattern?: RegExp): boolean {
  try {
    validateCertUrl(url, pattern);
    return false;
  } catch (err) {
    assert.ok(isAppError(err, 'sns_cert_url_invalid'), `unexpected error for ${url}: ${String(err)}`);
    return true;
  }
}

describe('validateCertUrl (strict AWS rule)', () => {
  const accepted = [
    `https://sns.us-east-1.amazonaws.com${PEM}`,
    `https://sns.eu-central-1.amazonaws.com${PEM}`,
    `https://sns.us-gov-west-1.amazonaws.com${PEM}`,
    `https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`,
    `https://sns.cn-north-1.amazonaws.com.cn${PEM}`,
    `https://sns.cn-northwest-1.amazonaws.com.cn${PEM}`,
  ];
  for (const url of accepted) {
    test(`accepts ${url}`, () => {
      assert.equal(validateCertUrl(url).href, url);
    });
  }

  const rejectedUrls: [string, string][] = [
    ['plain http', `http://sns.us-east-1.amazonaws.com${PEM}`],
    ['S3 bucket named "sns" (npm validators accept it)', `https://sns.s3-us-east-1.amazonaws.com${PEM}`],
    ['S3 dotted bucket host', `https://sns.s3.us-east-1.amazonaws.com${PEM}`],
    ['suffix domain', `https://sns.us-east-1.amazonaws.com.evil.com${PEM}`],
    ['AWS host in the path', `https://evil.com/sns.us-east-1.amazonaws.com${PEM}`],
    ['AWS host as a subdomain label elsewhere', `https://sns.us-east-1.amazonaws.com-evil.com${PEM}`],
    ['prefix on the host', `https://xsns.us-east-1.amazonaws.com${PEM}`],
    ['extra label', `https://a.sns.us-east-1.amazonaws.com${PEM}`],
    ['no region', `https://sns.amazonaws.com${PEM}`],
    ['explicit port', `https://sns.us-east-1.amazonaws.com:443${PEM}`],
    ['other port', `https://sns.us-east-1.amazonaws.com:8443${PEM}`],
    ['userinfo', `https://user@sns.us-east-1.amazonaws.com${PEM}`],
    ['user and password', `https://user:pw@sns.us-east-1.amazonaws.com${PEM}`],
    ['userinfo hiding the real host', `https://sns.us-east-1.amazonaws.com@evil.com${PEM}`],
    ['query string', `https://sns.us-east-1.amazonaws.com${PEM}?x=1`],
    ['empty query', `https://sns.us-east-1.amazonaws.com${PEM}?`],
    ['fragment', `https://sns.us-east-1.amazonaws.com${PEM}#x`],
    ['other path', 'https://sns.us-east-1.amazonaws.com/evil.pem'],
    ['nested path', `https://sns.us-east-1.amazonaws.com/x${PEM}`],
    ['dot segments', `https://sns.us-east-1.amazonaws.com/a/..${PEM}`],
    ['not hex', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-xyz.pem'],
    ['no digest', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem'],
    ['other extension', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.crt'],
    ['upper-case scheme', `HTTPS://sns.us-east-1.amazonaws.com${PEM}`],
    ['upper-case host', `https://SNS.US-EAST-1.AMAZONAWS.COM${PEM}`],
    ['mixed-case host', `https://sns.us-east-1.AmazonAWS.com${PEM}`],
    ['lower-case file name', 'https://sns.us-east-1.amazonaws.com/simplenotificationservice-0123abcd.pem'],
    ['upper-case extension', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.PEM'],
    ['percent-encoded dot in host', `https://sns%2eus-east-1.amazonaws.com${PEM}`],
    ['percent-encoded host letter', `https://%73ns.us-east-1.amazonaws.com${PEM}`],
    ['percent-encoded slash in path', `https://sns.us-east-1.amazonaws.com/..%2fSimpleNotificationService-0123abcd.pem`],
    ['percent-encoded path letter', 'https://sns.us-east-1.amazonaws.com/%53impleNotificationService-0123abcd.pem'],
    ['trailing dot on host', `https://sns.us-east-1.amazonaws.com.${PEM}`],
    ['backslash instead of slash', `https://sns.us-east-1.amazonaws.com\\SimpleNotificationService-0123abcd.pem`],
    ['embedded tab (URL parser strips it)', `https://sns.us-east-1.amazon\taws.com${PEM}`],
    ['surrounding spaces', ` https://sns.us-east-1.amazonaws.com${PEM} `],
    ['.com.cn with a non-China region', `https://sns.us-east-1.amazonaws.com.cn${PEM}`],
    ['China region without .cn', `https://sns.cn-north-1.amazonaws.com${PEM}`],
    ['IP address', `https://54.239.0.1${PEM}`],
    ['protocol-relative', `//sns.us-east-1.amazonaws.com${PEM}`],
    ['not a URL', 'SimpleNotificationService-0123abcd.pem'],
    ['empty', ''],
  ];
  for (const [why, url] of rejectedUrls) {
    test(`rejects ${why}`, () => {
      assert.ok(rejected(url));
    });
  }

  test(`rejects URLs longer than MAX_CERT_URL_LENGTH (${MAX_CERT_URL_LENGTH})`, () => {
    assert.equal(MAX_CERT_URL_LENGTH, 1024);
    const long = `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${'a'.repeat(1000)}.pem`;
    assert.ok(rejected(long));
  });

  test('the error is short and names the URL in context only', () => {
    try {
      validateCertUrl('https://evil.example/x.pem');
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(isAppError(err, 'sns_cert_url_invalid'));
      assert.ok(err.message.length < 100);
      assert.equal(err.context.certUrl, 'https://evil.example/x.pem');
    }
  });
});

describe('validateCertUrl with SNS_CERT_URL_PATTERN', () => {
  // As config builds it: ^(?:…)$ around the environment value.
  const pattern = /^(?:http:\/\/127\.0\.0\.1:4567\/SimpleNotificationService-[0-9a-f]+\.pem)$/;
  const local = 'http://127.0.0.1:4567/SimpleNotificationService-abc.pem';

  test('replaces the strict rule: a matching loopback URL is accepted', () => {
    assert.equal(validateCertUrl(local, pattern).port, '4567');
  });

  test('replaces, not extends: real AWS URLs no longer match', () => {
    assert.ok(rejected(`https://sns.us-east-1.amazonaws.com${PEM}`, pattern));
  });

  test('must match the whole URL, even if the pattern is not anchored', () => {
    const unanchored = /http:\/\/127\.0\.0\.1:4567\/SimpleNotificationService-[0-9a-f]+\.pem/g;
    assert.ok(rejected(`${local}?x`, unanchored));
    assert.ok(rejected(`http://evil.com/?${local}`, unanchored));
    // A global regex is stateful with test(); validation must not be.
    assert.doesNotThrow(() => validateCertUrl(local, unanchored));
    assert.doesNotThrow(() => validateCertUrl(local, unanchored));
  });

  test('still refuses userinfo, non-http schemes and control characters', () => {
    const loose = /.*/;
    assert.ok(rejected('http://u:p@127.0.0.1:4567/SimpleNotificationService-abc.pem', loose));
    assert.ok(rejected('file:///etc/passwd', loose));
    assert.ok(rejected('http://127.0.0.1:4567/Simple\nNotificationService-abc.pem', loose));
  });
});

describe('isSnsServiceHost', () => {
  test('accepts regional SNS hosts, .cn only for China regions', () => {
    assert.ok(isSnsServiceHost('sns.us-east-1.amazonaws.com'));
    assert.ok(isSnsServiceHost('sns.cn-north-1.amazonaws.com.cn'));
    assert.ok(!isSnsServiceHost('sns.cn-north-1.amazonaws.com'));
    assert.ok(!isSnsServiceHost('sns.us-east-1.amazonaws.com.cn'));
    assert.ok(!isSnsServiceHost('sns.s3-us-east-1.amazonaws.com'));
    assert.ok(!isSnsServiceHost('sns.us-east-1.amazonaws.com.evil.com'));
  });
});
