import type { RefObject } from 'preact';
import type { Problem } from './errors';

interface ProblemCalloutProps {
  problem: Problem;
  testId?: string;
  /** Makes the callout focusable and hands it to the caller, which moves focus to it. */
  focusRef?: RefObject<HTMLDivElement | null>;
}

/** A failed request, said in the visitor's language, with the server's own lines as plain text. */
export function ProblemCallout({ problem, testId, focusRef }: ProblemCalloutProps) {
  return (
    <div
      class="callout callout--danger"
      role="alert"
      data-testid={testId}
      tabIndex={focusRef ? -1 : undefined}
      ref={focusRef}
    >
      <p class="callout__title">{problem.summary}</p>
      {problem.details.length > 0 && (
        <ul class="callout__list">
          {problem.details.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
