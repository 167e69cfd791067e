// Indicators of the overlap-statistics group (see the README). Each line re-exports one module.
export {}
