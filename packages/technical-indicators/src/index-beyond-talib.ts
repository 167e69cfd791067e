// Indicators of the beyond-talib group (see the README). Each line re-exports one module.
export {}
