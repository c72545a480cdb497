/** A create request's samples, from `samples` or from `yaml_content` (flows/registration/request.ts). */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_RUNS } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { toRegistrationRequest } from '../../lambdas/lib/flows/registration/registration-request.ts';
import { parseOrThrow } from '../../lambdas/lib/schemas/parse.ts';
import { CreateWorksetRequest } from '../../lambdas/lib/schemas/registration-requests.ts';

// Relative FASTQ names resolve under s3_bucket; every sample needs its R1.
const BASE = { workset_name: 'batch', pipeline_type: 'snv', reference_genome: 'GRCh38', s3_bucket: 'lab-data' };
const samplesOf = (yaml: string) => toRegistrationRequest(parseOrThrow(CreateWorksetRequest, { ...BASE, yaml_content: yaml }, 'request body'), BUILT_IN_RUNS).samples;

describe('samples from yaml_content', () => {
  it('keeps every value as the customer wrote it: YAML must not turn sample names into numbers', () => {
    const yaml = ['samples:', '  - sample_id: 00123', '    r1: 1e3_R1.fastq.gz', '    lane: 0x10', '  - {sample_id: 12345678901234567890, r1: a.fq}', '  - {sample_id: 1e3, r1: b.fq}', '  - {sample_id: true, r1: c.fq}'].join('\n');
    expect(samplesOf(yaml).map((sample) => sample.sample_id)).toEqual(['00123', '12345678901234567890', '1e3', 'true']);
    expect(samplesOf(yaml)[0]).toMatchObject({ r1_file: 's3://lab-data/1e3_R1.fastq.gz', lane: '0x10' });
  });

  it('tells 01 and 1 apart (no duplicate after a numeric conversion)', () => {
    expect(samplesOf('samples:\n  - {sample_id: "01", r1: a.fq}\n  - {sample_id: 1, r1: b.fq}\n').map((sample) => sample.sample_id)).toEqual(['01', '1']);
  });

  it('reads an empty or null field as absent, as the reference did', () => {
    const yaml = 'samples:\n  - sample_id: S1\n    r1_file: s3://lab/S1_R1.fastq.gz\n    r2_file:\n  - sample_id: S2\n    r1: S2.fq\n    r2_file: null\n  - sample_id: S3\n    r1: S3.fq\n    r2: ~\n';
    expect(samplesOf(yaml).map((sample) => sample.r2_file)).toEqual(['', '', '']);
  });

  it('reads an empty or null document as no samples', () => {
    for (const yaml of ['', '~', 'null', 'samples:']) expect(samplesOf(yaml), JSON.stringify(yaml)).toEqual([]);
  });

  it('still refuses a document that is not a mapping, naming yaml_content', () => {
    expect(() => samplesOf('- a\n- b')).toThrow(/yaml_content must be a YAML mapping/);
  });
});

describe('limits on yaml_content, enforced while it is read', () => {
  const refusal = (yaml: string): unknown => {
    try {
      samplesOf(yaml);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses anchors and aliases, so a few hundred bytes cannot expand into gigabytes', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level += 1) laughs.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(',')}]`);
    laughs.push('samples: *j');
    const started = performance.now();
    const error = refusal(laughs.join('\n'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ errors: [{ field: 'yaml_content', message: 'must not use anchors or aliases (&name, *name)' }] });
    expect(refusal('samples:\n  - &s {sample_id: S1}\n  - *s\n')).toMatchObject({ errors: [{ field: 'yaml_content' }] });
  });

  it('refuses a document nested deeper than the limit', () => {
    const deep = `samples:\n  - sample_id: ${'['.repeat(20)}x${']'.repeat(20)}\n`;
    expect(refusal(deep)).toMatchObject({ errors: [{ field: 'yaml_content', message: 'must not nest deeper than 8 levels' }] });
  });

  it('still reads asterisks and ampersands inside values', () => {
    expect(samplesOf('samples:\n  - sample_id: "R&D*1"\n    r1: a.fq\n    lib_prep: a&b\n').map((sample) => sample.sample_id)).toEqual(['R&D*1']);
  });
});
