// TypeDoc plugin (loaded from typedoc.json): shows `callSessionMachine` as
// `StateMachine<CallSessionContext, CallSessionEvent, …>` instead of its full inferred type.
//
// XState infers the machine's type from its config, so TypeDoc would print the whole chart
// config (every state, guard and action name) as the variable's type, and with
// `validation.notDocumented` it asks for a doc comment on each config key. Those keys are
// the chart's internals, not API; the chart is documented in docs/semantics.md.
import { Converter, ReferenceType, ReflectionKind, UnknownType } from 'typedoc';

const MACHINE = 'callSessionMachine';
const EVENT_TYPE = 'CallSessionEvent';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const eventAlias = project
      .getReflectionsByKind(ReflectionKind.TypeAlias)
      .find((reflection) => reflection.name === EVENT_TYPE);
    for (const machine of project.getReflectionsByKind(ReflectionKind.Variable)) {
      if (machine.name !== MACHINE || !(machine.type instanceof ReferenceType)) continue;
      const [contextType, ...rest] = machine.type.typeArguments ?? [];
      for (const type of rest) project.removeTypeReflections(type);
      const eventType = eventAlias
        ? ReferenceType.createResolvedReference(EVENT_TYPE, eventAlias, project)
        : new UnknownType(EVENT_TYPE);
      machine.type.typeArguments = contextType ? [contextType, eventType, new UnknownType('…')] : undefined;
    }
  });
}
