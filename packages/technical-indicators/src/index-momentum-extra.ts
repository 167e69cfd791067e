// Indicators of the momentum-extra group (see the README). Each line re-exports one module.
export {}
