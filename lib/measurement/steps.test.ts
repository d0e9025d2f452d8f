import { FAILURES, isFailureCode } from '../failures';
import { CENTRAL_STEPS, FAULTABLE_STEPS, MEASUREMENT_STEPS, SHIPPING_STEPS, STEP_NAMES, STEPS, TESTBED_STEPS, stepMayFail } from './steps';

describe('the step table', () => {
  it('puts every step on exactly one queue', () => {
    expect([...CENTRAL_STEPS, ...TESTBED_STEPS].sort()).toEqual([...STEP_NAMES].sort());
    // Central steps read nothing a testbed wrote: what reads a capture runs where the capture is,
    // and the artefacts reach the central folder through the shipping steps.
    expect(CENTRAL_STEPS).toEqual(['loadCampaign', 'planPage', 'geolocate', 'persistRecord', 'detectDrift', 'postDriftAlerts', 'prepareArtefacts', 'writeArtefactChunk', 'commitArtefact', 'discardArtefactParts']);
    expect(TESTBED_STEPS).toEqual(['provisionTunnels', 'configurePhones', 'startCapture', 'sendMessage', 'stopCapture', 'fetchCapture', 'classifyFlows', 'traceroutes', 'abortCapture', 'teardown', 'checkTestbed', 'artefactManifest', 'readArtefactChunk']);
  });

  it('declares failures from the catalogue only, each once', () => {
    for (const name of STEP_NAMES) {
      const failures: readonly string[] = STEPS[name].failures;
      expect({ name, unknown: failures.filter((c) => !isFailureCode(c)) }).toEqual({ name, unknown: [] });
      expect(new Set(failures).size).toBe(failures.length);
    }
  });

  it('has a heartbeat shorter than the start-to-close timeout wherever it has one', () => {
    for (const name of STEP_NAMES) {
      const d: { startToCloseSeconds: number; heartbeatSeconds?: number } = STEPS[name];
      if (d.heartbeatSeconds !== undefined) expect(d.heartbeatSeconds).toBeLessThan(d.startToCloseSeconds);
    }
  });

  it('measures and analyses in the steps chaos runs may fault, never in the plan, the record or the drift check', () => {
    expect(MEASUREMENT_STEPS).toEqual(STEP_NAMES.filter((n) => !['loadCampaign', 'planPage', 'persistRecord', 'detectDrift', 'postDriftAlerts', ...SHIPPING_STEPS].includes(n)));
    expect(SHIPPING_STEPS).toEqual(['artefactManifest', 'prepareArtefacts', 'readArtefactChunk', 'writeArtefactChunk', 'commitArtefact', 'discardArtefactParts']);
    // The testbed check is not a measurement: chaos runs leave it alone.
    expect(FAULTABLE_STEPS).toEqual(MEASUREMENT_STEPS.filter((n) => n !== 'checkTestbed'));
    expect(stepMayFail('traceroutes', 'injected_fault')).toBe(true);
    expect(stepMayFail('checkTestbed', 'injected_fault')).toBe(false);
    expect(stepMayFail('persistRecord', 'injected_fault')).toBe(false);
  });

  it('knows which failures a step may report', () => {
    expect(stepMayFail('configurePhones', 'app_not_installed')).toBe(true);
    expect(stepMayFail('geolocate', 'app_not_installed')).toBe(false);
    expect(stepMayFail('provisionTunnels', 'tunnel_failed')).toBe(true);
  });
});

describe('the failure catalogue', () => {
  it('lets only transport problems, timeouts and injected faults be retried in place', () => {
    const retryable = Object.entries(FAILURES).filter(([, f]) => f.retryable).map(([c]) => c).sort();
    // artefact_transfer_failed: a chunk read or written over the same transport, tried again.
    expect(retryable).toEqual(['activity_error', 'adb_timeout', 'adb_unreachable', 'artefact_transfer_failed', 'injected_fault', 'ssh_connection_lost', 'ssh_timeout', 'ssh_unreachable', 'timeout']);
  });

  it('ends a measurement only where no new attempt can help', () => {
    const ends = Object.entries(FAILURES).filter(([, f]) => f.endsMeasurement).map(([c]) => c).sort();
    expect(ends).toEqual(['adb_unauthorized', 'already_running', 'app_not_installed', 'app_version_mismatch', 'cancelled', 'clock_skew', 'config_invalid', 'location_provider_missing', 'measurement_failed', 'plan_changed', 'privilege_denied', 'screen_locked', 'testbed_incomplete', 'testbed_unknown', 'tool_missing', 'world_not_up']);
    for (const [code, f] of Object.entries(FAILURES)) if (f.endsMeasurement) expect({ code, retryable: f.retryable }).toEqual({ code, retryable: false });
  });
});
