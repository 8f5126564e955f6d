import { isEcrImage } from '../../aws/arn.js';
import { startImageScan, waitForScanFindings } from '../../aws/ecr/index.js';
import type { ActionDefinition } from '../types.js';
import { chosenImage, compromisedImages, ecrUri, hasEcrImage, imageChoice, type CompromisedImageRef } from './images.js';

/** How long the responder waits for ECR basic scanning before reporting "still running". */
export const SCAN_POLL_INTERVAL_MS = 10_000;
export const SCAN_MAX_POLLS = 90;

export const scanImageAction: ActionDefinition = {
  id: 'scan_image',
  label: 'Scan image',
  verb: 'Start scan',
  changes: false,
  destructive: false,
  repeatable: true,
  command: { verb: 'scan', resources: ['image'], section: 'Images', help: 'start an ECR image scan' },
  appliesTo: (f) => hasEcrImage(f),
  async plan(ctx) {
    const images = (await compromisedImages(ctx, [])).filter((i) => isEcrImage(i.image));
    if (images.length === 0)
      return { summary: 'No ECR image to scan.', resources: [], apiCalls: [], warnings: [], blocked: 'only images stored in Amazon ECR can be scanned by ECR' };
    return {
      summary: `Start an ECR image scan of ${images[0]!.image} and post the findings summary when it completes.`,
      resources: images.map((i) => `${i.image} (${i.digest})`),
      apiCalls: ['ecr:StartImageScan', 'ecr:DescribeImageScanFindings (polled until complete)'],
      warnings: ['ECR basic scanning allows one scan per image per 24 hours; registries with enhanced scanning (Amazon Inspector) scan continuously instead.'],
      inputs: imageChoice(images),
      data: { images },
    };
  },
  async execute(ctx) {
    const image: CompromisedImageRef = chosenImage((ctx.plan.data as { images: CompromisedImageRef[] }).images, ctx.inputs);
    const uri = ecrUri(image);
    const started = await startImageScan(ctx.aws, uri);
    ctx.progress(`scan started (${started.status ?? 'IN_PROGRESS'})`);
    const summary = await waitForScanFindings(ctx.aws, uri, { sleep: ctx.clock.sleep, intervalMs: SCAN_POLL_INTERVAL_MS, maxPolls: SCAN_MAX_POLLS });
    return {
      status: summary.complete ? 'succeeded' : 'partial',
      headline: summary.complete ? `scan ${summary.status}: ${summary.text}` : `scan still ${summary.status} after ${summary.polls} checks`,
      done: [`Scan of ${image.image}@${image.digest}: ${summary.text}`],
      notDone: summary.complete ? [] : ['The scan had not finished; run Scan image again later to read the result.'],
      next: [],
      requestIds: [...started.requestIds, ...summary.requestIds],
      cardFacts: { 'Image scan': summary.complete ? summary.text : `still ${summary.status}` },
    };
  },
};
