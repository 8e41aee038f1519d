import type { Config } from './schema.js';

/**
 * Defaults for everything but the office's identity (which no default can know). Paths are the
 * appliance's (spec/cli-and-config.md "Files on the appliance"); the demo and tests override them.
 */
export const DEFAULTS: Omit<Config, 'organ'> = {
  stateDir: '/var/lib/edoc-gateway',
  http: { listen: '0.0.0.0:8443', tls: 'self-signed' },
  hsm: {
    module: '/usr/lib/softhsm/libsofthsm2.so',
    tokenLabel: 'office-seal',
    keyLabel: 'org-sign',
    pinFile: '/run/credentials/edoc-gateway.service/hsm-pin',
    mechanism: 'RSA-PKCS',
    sessions: 2,
  },
  signing: { requirePriorSignature: true, signEnvelope: true, tsaUrl: null, sealImage: null, sealWidthMm: 36 },
  trust: { anchors: '/etc/edoc-gateway/trust' },
  axis: {
    endpoint: 'https://lgsp.example/axis',
    systemId: '000.00.00.A00',
    secretFile: '/run/credentials/edoc-gateway.service/axis-secret',
    pollSeconds: 120,
  },
  relay: {
    receiptDeadlineHours: 8,
    maxOfflineHours: 72,
    paperlessTypes: ['ND', 'TT', 'NQ', 'QD', 'CT', 'QC', 'QYD', 'TB', 'HD', 'KH', 'DEA', 'DUA', 'BC', 'TTR', 'CV', 'CD', 'GM', 'PG', 'PC'],
  },
  policy: { acceptUnsigned: false },
  display: null,
  console: null,
  limits: { maxUploadBytes: 52_428_800, maxAttachments: 20 },
  webhooks: [],
  log: { level: 'info' },
};

export const DEFAULT_CONFIG_PATH = '/etc/edoc-gateway/config.json';
