/**
 * @module @distributex/news/test-support
 * The local Hacker News server for tests of this service and of the whole app.
 */
export { startFakeHackerNews, fakeStory, type FakeHackerNews, type FakeHackerNewsOptions, type FakeItem } from './fake-hacker-news.js'
