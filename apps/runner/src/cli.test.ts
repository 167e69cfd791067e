import { expect, it } from 'vitest'
import { main } from './main.js'
it('has a main', () => {
  expect(typeof main).toBe('function')
})
