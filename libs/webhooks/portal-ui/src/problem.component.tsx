import type { Problem } from './errors';

/** A failed request, said in the visitor's language, with the server's own lines as plain text. */
export function ProblemCallout({ problem, testId }: { problem: Problem; testId?: string }) {
  return (
    <div class="callout callout--danger" role="alert" data-testid={testId}>
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
