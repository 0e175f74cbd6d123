import type request from 'supertest';
import { decodeHtml, formFields } from './form-fields';

/** True when a response is the back office's confirmation page. */
export function isConfirmationPage(res: request.Response): boolean {
  return res.status === 200 && res.text.includes('id="confirm-form"');
}

/** The confirmation page's form: where it posts and what it sends (as a browser would). */
export function confirmationForm(res: request.Response): {
  action: string;
  fields: Record<string, string>;
} {
  if (!isConfirmationPage(res)) {
    throw new Error(`expected the confirmation page, got ${res.status}: ${res.text.slice(0, 300)}`);
  }
  const action = /<form method="post" action="([^"]*)"[^>]*id="confirm-form"/.exec(res.text)?.[1];
  if (!action) throw new Error('the confirmation form has no action');
  return { action: decodeHtml(action), fields: formFields(res.text, 'confirm-form') };
}

/** Presses Confirm on a confirmation page, with the agent that was shown it. */
export function pressConfirm(agent: request.Agent, res: request.Response) {
  const { action, fields } = confirmationForm(res);
  return agent.post(action).type('form').send(fields);
}

/**
 * Sends a form through its confirmation step: the first POST must answer with the confirmation
 * page; the answer to Confirm is returned. A form refused before the confirmation (400, 409…)
 * is returned as it is.
 */
export async function postConfirmed(
  agent: request.Agent,
  path: string,
  fields: Record<string, string>,
): Promise<request.Response> {
  const first = await agent.post(path).type('form').send(fields);
  return isConfirmationPage(first) ? pressConfirm(agent, first) : first;
}
