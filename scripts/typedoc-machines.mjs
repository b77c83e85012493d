/**
 * TypeDoc plugin (typedoc.json `plugin`): shows an exported XState machine
 * (`minchMachine`, `supervisorMachine`) as `StateMachine`, without type
 * arguments. TypeScript infers a machine's type from its whole config, so
 * TypeDoc would otherwise list every state, transition and action as an
 * undocumented property (about 900 warnings) on pages of several hundred KB.
 */
import { Converter, ReflectionKind } from 'typedoc';

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    const type = reflection.type;
    if (!reflection.kindOf(ReflectionKind.Variable) || type?.type !== 'reference') return;
    if (type.name !== 'StateMachine' || type.package !== 'xstate') return;
    type.typeArguments = undefined;
    // The type arguments' object types were converted to reflections under the variable: drop them too.
    const { project } = context;
    for (const child of Object.values(project.reflections)) {
      if (child.parent === reflection) project.removeReflection(child);
    }
  });
}
